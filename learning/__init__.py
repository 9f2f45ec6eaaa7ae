"""Reinforcement learning over the market: the Gymnasium envs, training, export, evaluation.

Training and export (``train``, ``train_enterprises``, ``curriculum``, ``export`` and the envs)
need the ``learn`` extra (torch, Stable-Baselines3, Gymnasium); evaluation, the schedule
search and the seed ranges (``evaluate``, ``aggregate``, ``schedule_search``, ``seeds``) run
without it.
"""
