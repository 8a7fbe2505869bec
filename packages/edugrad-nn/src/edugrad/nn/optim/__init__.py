"""edugrad.nn.optim: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, LAMB) and learning-rate schedulers.

Neural-network layer (`edugrad.nn`). Every optimizer derives from `Optimizer` (parameter groups, state,
state dicts) and updates parameters in place without recording a graph; `lr_scheduler` changes the
hyperparameters of the groups between steps. Names, arguments and defaults follow `torch.optim`.
"""

from edugrad.nn.optim import lr_scheduler
from edugrad.nn.optim.adagrad import Adagrad
from edugrad.nn.optim.adam import Adam, AdamW
from edugrad.nn.optim.lamb import LAMB
from edugrad.nn.optim.optimizer import Optimizer
from edugrad.nn.optim.rmsprop import RMSprop
from edugrad.nn.optim.sgd import SGD

__all__ = ["LAMB", "SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
