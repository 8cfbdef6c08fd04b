package notify

// Loopback exports loopback for tests.
var Loopback = loopback
