"""edugrad.nn.optim: the optimizers of `torch.optim` (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adafactor,
Adamax, NAdam, RAdam, ASGD, Rprop, LBFGS), LAMB, and the learning-rate schedulers.

Neural-network layer (`edugrad.nn`). Every optimizer derives from `Optimizer` (parameter groups, state,
state dicts) and updates parameters in place without recording a graph; `lr_scheduler` changes the
hyperparameters of the groups between steps. Names, arguments, defaults, state dicts and the parameter
trajectories follow `torch.optim`.
"""

from edugrad.nn.optim import lr_scheduler
from edugrad.nn.optim.adadelta import Adadelta
from edugrad.nn.optim.adafactor import Adafactor
from edugrad.nn.optim.adagrad import Adagrad
from edugrad.nn.optim.adam import Adam, AdamW
from edugrad.nn.optim.adamax import Adamax
from edugrad.nn.optim.asgd import ASGD
from edugrad.nn.optim.lamb import LAMB
from edugrad.nn.optim.lbfgs import LBFGS
from edugrad.nn.optim.nadam import NAdam
from edugrad.nn.optim.optimizer import Optimizer
from edugrad.nn.optim.radam import RAdam
from edugrad.nn.optim.rmsprop import RMSprop
from edugrad.nn.optim.rprop import Rprop
from edugrad.nn.optim.sgd import SGD

__all__ = [
    "ASGD", "LAMB", "LBFGS", "SGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam",
    "Optimizer", "RAdam", "RMSprop", "Rprop", "lr_scheduler",
]
