import os
x = 1
if x:
    import json
