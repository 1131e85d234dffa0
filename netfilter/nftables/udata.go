package nftables

// nft (libnftnl) keeps its own data in the objects' user data as TLVs of a
// one-byte type and a one-byte length; a comment is a NUL-terminated
// string. The types (libnftnl's udata.h, NFTNL_UDATA_*):
const (
	udataTableComment = 0 // NFTNL_UDATA_TABLE_COMMENT
	udataChainComment = 0 // NFTNL_UDATA_CHAIN_COMMENT
	udataRuleComment  = 0 // NFTNL_UDATA_RULE_COMMENT
	udataSetComment   = 7 // NFTNL_UDATA_SET_COMMENT
	udataObjComment   = 0 // NFTNL_UDATA_OBJ_COMMENT
)

// udataString returns the NUL-terminated string of type typ in user data
// b, or "".
func udataString(b []byte, typ byte) string {
	for len(b) >= 2 {
		t, n := b[0], int(b[1])
		if len(b) < 2+n {
			return ""
		}
		if t == typ {
			v := b[2 : 2+n]
			for i, c := range v {
				if c == 0 {
					return string(v[:i])
				}
			}
			return string(v)
		}
		b = b[2+n:]
	}
	return ""
}

// CommentUserData returns the user data nft writes for a comment on a
// table, chain or rule (at most 254 bytes are kept).
func CommentUserData(comment string) []byte {
	return appendUdataString(nil, udataRuleComment, comment)
}

func appendUdataString(b []byte, typ byte, s string) []byte {
	if len(s) > 254 {
		s = s[:254]
	}
	b = append(b, typ, byte(len(s)+1))
	b = append(b, s...)
	return append(b, 0)
}
