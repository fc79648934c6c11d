package pick

// ECSScope returns the SCOPE PREFIX-LENGTH for the EDNS Client Subnet
// option (RFC 7871) of a response, given the query's SOURCE PREFIX-LENGTH
// and the prefix length that Table.Lookup returned for the query's address.
//
// The scope claims that every client in the query address's prefix of that
// length gets the same answer, so it is the lookup length itself, whether
// that is shorter than the source (the answer holds for a wider network
// than the resolver revealed; the resolver may cache it for that network)
// or longer (the source prefix spans networks with different answers; the
// resolver learns that it revealed too little, as RFC 7871 section 7.2.1
// allows). The one exception is a source length of 0: the resolver asked
// for an answer not tailored to any client, and the scope must be 0.
//
// Health does not enter the scope: it is the same for every client, so
// clients with the same ranking get the same answer.
func ECSScope(sourceBits, lookupBits int) int {
	if sourceBits <= 0 || lookupBits < 0 {
		return 0
	}
	return lookupBits
}
