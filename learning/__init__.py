"""Reinforcement learning over the market: the regulator's Gymnasium env, training, evaluation."""

from learning.regulator_env import RegulatorEnv

__all__ = ["RegulatorEnv"]
