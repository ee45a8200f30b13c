module github.com/vtr-project/vtr

go 1.26.8
