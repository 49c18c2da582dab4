import "import-cycle-a.dlm"

let width = 8
