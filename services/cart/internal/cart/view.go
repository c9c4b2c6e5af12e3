package cart

// View is a cart priced with the catalogue's current prices.
type View struct {
	UserID string
	Lines  []ViewLine
	// TotalCents and ItemCount cover the lines that can be bought, i.e. not
	// the discontinued ones.
	TotalCents int64
	ItemCount  int
}

// ViewLine is one priced line.
type ViewLine struct {
	SKU            string
	Name           string
	ImageURL       string
	Quantity       int
	UnitPriceCents int64
	LineTotalCents int64
	Available      int // the catalogue's stock that is not reserved
	// Discontinued marks a line whose SKU the catalogue no longer has. The
	// line is kept (and shown) rather than dropped so the user sees why it
	// is not in the total and can remove it; it has no price.
	Discontinued bool
}

// price turns stored lines into a View with the catalogue's prices.
func price(userID string, lines []Line, products []Product) View {
	bySKU := make(map[string]Product, len(products))
	for _, p := range products {
		bySKU[p.SKU] = p
	}
	v := View{UserID: userID, Lines: make([]ViewLine, 0, len(lines))}
	for _, l := range lines {
		p, ok := bySKU[l.SKU]
		if !ok {
			v.Lines = append(v.Lines, ViewLine{SKU: l.SKU, Quantity: l.Quantity, Discontinued: true})
			continue
		}
		vl := ViewLine{
			SKU:            l.SKU,
			Name:           p.Name,
			ImageURL:       p.ImageURL,
			Quantity:       l.Quantity,
			UnitPriceCents: p.PriceCents,
			LineTotalCents: p.PriceCents * int64(l.Quantity),
			Available:      p.Available,
		}
		v.Lines = append(v.Lines, vl)
		v.TotalCents += vl.LineTotalCents
		v.ItemCount += vl.Quantity
	}
	return v
}
