// Command cart is RocketMart's cart service: cart lines per user, priced
// with the inventory service's current prices whenever a cart is viewed.
//
//	@title						RocketMart cart API
//	@version					1.0
//	@description				Cart lines per demo user. Prices are not stored: every view asks the inventory service for current prices. Identify the user with X-User-ID (alice, bob or carol); admin routes need X-Admin-Token.
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
