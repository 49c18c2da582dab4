let a = 1 +
