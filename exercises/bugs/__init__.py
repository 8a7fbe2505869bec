"""Bug hunts (`hatch run grade bugs`): deliberately broken Functions, layers and optimizers to diagnose.

Outside the four layers. Each file holds one bug, a `symptom()` that runs a small model with it
(`hatch run python -m exercises.bugs.<file>`) and the choices of diagnosis; write yours in answers.py.
"""
