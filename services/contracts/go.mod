module github.com/rocketmart/rocketmart/services/contracts

go 1.26.8
