"""The market's agents: enterprises with their behaviours, and the government with its policies."""
