"""Your diagnoses of the bug hunts (`hatch run grade bugs` reads them).

For each bug, run its file to see the symptom (`hatch run python -m exercises.bugs.tanh_sign`), find the bug
with the tool its docstring names, then set its name below to one of the keys of its `choices`.
"""

tanh_sign = ""
bias_broadcast = ""
conv_window = ""
matmul_transposed = ""
missing_save = ""
untracked_sigmoid = ""
log_softmax_shift = ""
dropout_eval = ""
batchnorm_variance = ""
adam_bias = ""
sgd_decay_order = ""
