# -*- coding: utf-8 -*-
from __future__ import annotations
import os, sys as system
import a.b.c as d
from . import x
from ..pkg.sub import (y as z, w,)
from ... import q
from .... mod import *
try:
    import numpy as np
except ImportError:
    np = None
if TYPE_CHECKING:
    from typing import List
if sys.version_info >= (3, 8):
    import importlib.metadata as md
else:
    import importlib_metadata as md
def f():
    import json; import match
    m = importlib.import_module("yaml")
    n = __import__("pkg.mod")
class C:
    from collections import OrderedDict as OD
import tensorflow as tf
tf.compat.v1.Session()
np.array(1).T
from numpy import float as f
f(3)
def broken(:
    pass
import after_error
