"""Decision logic and stores behind the dialogue: plain modules with no Rasa or web imports.

User-facing sentences are not here: results carry codes and data, and the texts for those
codes live in ``bot/texts/*.yml`` in Polish, English, Ukrainian and Russian.
"""
