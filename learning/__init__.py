"""Reinforcement learning over the market: the Gymnasium envs, training, export, evaluation.

Training and export (``train``, ``train_enterprises``, ``curriculum``, ``export`` and the envs)
need the ``learn`` extra (torch, Stable-Baselines3, Gymnasium); evaluation, the schedule
search, the seed ranges and the table of algorithms (``evaluate``, ``aggregate``,
``schedule_search``, ``seeds``, ``algorithms``: it imports SB3 and sb3-contrib on use) run
without it.
"""
