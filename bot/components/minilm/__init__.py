"""MiniLM sentence encoder (all-MiniLM-L6-v2, packaged offline) and its Rasa featurizer."""
