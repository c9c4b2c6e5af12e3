// Command inventory serves RocketMart's product catalogue, stock and
// reservations, releases the reservations of cancelled orders from
// ORDER_CANCELLED events, and sweeps reservations no order needs any more.
//
//	@title						RocketMart inventory API
//	@version					1.0
//	@description				Product catalogue, stock per SKU and reservations per order. Reservations and stock are admin routes for other services and operators.
//	@BasePath					/
//	@securityDefinitions.apikey	UserID
//	@in							header
//	@name						X-User-ID
//	@securityDefinitions.apikey	AdminToken
//	@in							header
//	@name						X-Admin-Token
package main

import "github.com/rocketmart/rocketmart/services/platform/program"

func main() { program.Main(serviceName, loadConfig, run) }
