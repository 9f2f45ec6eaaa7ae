"""Reinforcement learning over the market (regulator and enterprise environments): coming next."""
