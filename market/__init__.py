"""The market core: the pure mechanics of an emissions-trading market.

Scenario configuration (``config``, ``scenario``), the firms a market starts with
(``firm_table``), the firms' state and its mechanics (``enterprises``), money and allowance
accounts (``accounts``), orders and the continuous double auction (``orders``,
``order_book`` and its compiled kernels ``book_kernels``), the government's call auction
(``auction``), textbook theory (``theory``) and metrics (``metrics``). Nothing here imports
any other part of the project, and nothing here decides anything: decisions come from
``agents``, and ``model`` applies them. Importing it points numba's cache at the folder of
the current kernels' source (``kernel_cache``).
"""

from market.kernel_cache import use_kernel_cache

use_kernel_cache()
