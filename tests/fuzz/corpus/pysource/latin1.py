# -*- coding: latin-1 -*-
# café
s = "ééé"; import os
if s: from . import x
