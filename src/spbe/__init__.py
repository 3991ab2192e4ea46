
import os as _os

# The assistant's matrices are tiny; multi-threaded BLAS only fights the embedding engine's
# OpenMP threads for the CPU (measured: p95 of a question 106 ms with it, 12 ms without). Must be
# set before numpy is first imported, hence here.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
