package tracking

// upuOperators is filled from the data set's S10 country table.
var upuOperators = []struct{ Code, Name string }{
	{"CN", "China Post"}, {"US", "United States Postal Service"}, {"CA", "Canada Post"}, {"GB", "Royal Mail"},
	{"HK", "Hongkong Post"}, {"JP", "Japan Post"}, {"DE", "Deutsche Post"}, {"SG", "Singapore Post"},
}
