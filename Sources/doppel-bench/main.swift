import Doppel
print("doppel-bench")
