let a = dense(3)
