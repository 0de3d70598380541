"""Social-media sentiment: a lexicon scorer tuned for airline care, and its Rasa component."""
