package httpapi

import (
	"time"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
)

// CartResponse is a user's cart priced with the catalogue's current prices.
type CartResponse struct {
	UserID string     `json:"userId" example:"alice"`
	Lines  []CartLine `json:"lines"`
	// TotalCents sums the lines that can be bought (not discontinued ones).
	TotalCents int64 `json:"totalCents" example:"5998"`
	// ItemCount sums the quantities of the lines that can be bought.
	ItemCount int `json:"itemCount" example:"2"`
}

// CartLine is one priced line of a cart.
type CartLine struct {
	SKU            string `json:"sku" example:"RM-TSHIRT-BLK"`
	Name           string `json:"name" example:"RocketMart T-shirt (black)"`
	ImageURL       string `json:"imageUrl" example:"/img/tshirt-black.png"`
	Quantity       int    `json:"quantity" example:"2"`
	UnitPriceCents int64  `json:"unitPriceCents" example:"2999"`
	LineTotalCents int64  `json:"lineTotalCents" example:"5998"`
	// Available is the stock inventory can still sell now.
	Available int `json:"available" example:"40"`
	// Discontinued is true when the catalogue no longer has the SKU: the line
	// stays in the cart so it can be removed, with no name or price, and is
	// left out of totalCents and itemCount.
	Discontinued bool `json:"discontinued" example:"false"`
}

// AddItemRequest adds units of a product to the cart.
type AddItemRequest struct {
	SKU      string `json:"sku" example:"RM-TSHIRT-BLK"`
	Quantity int    `json:"quantity" example:"1" minimum:"1" maximum:"99"`
}

// SetQuantityRequest sets how many units of a product the cart holds.
type SetQuantityRequest struct {
	Quantity int `json:"quantity" example:"3" minimum:"1" maximum:"99"`
}

// AdminCartResponse is a user's cart lines without prices, for operators and
// the audit.
type AdminCartResponse struct {
	UserID string          `json:"userId" example:"alice"`
	Lines  []AdminCartLine `json:"lines"`
}

// AdminCartLine is one unpriced line.
type AdminCartLine struct {
	SKU      string `json:"sku" example:"RM-TSHIRT-BLK"`
	Quantity int    `json:"quantity" example:"2"`
}

func cartResponse(v cart.View) CartResponse {
	out := CartResponse{UserID: v.UserID, Lines: make([]CartLine, len(v.Lines)), TotalCents: v.TotalCents, ItemCount: v.ItemCount}
	for i, l := range v.Lines {
		out.Lines[i] = CartLine{
			SKU: l.SKU, Name: l.Name, ImageURL: l.ImageURL, Quantity: l.Quantity,
			UnitPriceCents: l.UnitPriceCents, LineTotalCents: l.LineTotalCents,
			Available: l.Available, Discontinued: l.Discontinued,
		}
	}
	return out
}

func adminCartResponse(userID string, lines []cart.Line) AdminCartResponse {
	out := AdminCartResponse{UserID: userID, Lines: make([]AdminCartLine, len(lines))}
	for i, l := range lines {
		out.Lines[i] = AdminCartLine{SKU: l.SKU, Quantity: l.Quantity}
	}
	return out
}

// CheckoutResponse records what a paid order took off its user's cart:
// removed holds what the cart actually gave up (nothing for a SKU the user
// had already removed).
type CheckoutResponse struct {
	OrderNo string          `json:"orderNo" example:"RM-20300101-0001"`
	UserID  string          `json:"userId" example:"alice"`
	EventID string          `json:"eventId" example:"evt-5f0c8e2a"`
	Removed []AdminCartLine `json:"removed"`
	At      time.Time       `json:"at" example:"2030-01-01T12:00:02Z" format:"date-time"`
}

// CheckoutListResponse is every checkout, oldest first.
type CheckoutListResponse struct {
	Checkouts []CheckoutResponse `json:"checkouts"`
}

func checkoutResponse(c cart.Checkout) CheckoutResponse {
	out := CheckoutResponse{OrderNo: c.OrderNo, UserID: c.UserID, EventID: c.EventID, Removed: make([]AdminCartLine, len(c.Removed)), At: c.At.UTC()}
	for i, l := range c.Removed {
		out.Removed[i] = AdminCartLine{SKU: l.SKU, Quantity: l.Quantity}
	}
	return out
}
