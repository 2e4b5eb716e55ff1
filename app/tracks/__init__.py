"""Lokala jobbspår: job tracks from an employer's needs to their results, round after round."""
