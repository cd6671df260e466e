"""Behavioural frameworks: the model, the shipped four, blending and compilation."""
