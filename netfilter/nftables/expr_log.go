package nftables

// Log is the log expression: it logs the packet to the kernel log, or with Group to an nflog group.
type Log struct {
	Group      *uint16   `nft:"1"` // NFTA_LOG_GROUP: nflog group
	Prefix     string    `nft:"2"` // NFTA_LOG_PREFIX
	Snaplen    uint32    `nft:"3"` // NFTA_LOG_SNAPLEN
	QThreshold uint16    `nft:"4"` // NFTA_LOG_QTHRESHOLD
	Level      *LogLevel `nft:"5"` // NFTA_LOG_LEVEL: syslog level, or NFT_LOGLEVEL_AUDIT
	Flags      LogFlags  `nft:"6"` // NFTA_LOG_FLAGS: NF_LOG_*
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "log".
func (*Log) Kind() string { return "log" }

func init() { register(&Log{}) }
