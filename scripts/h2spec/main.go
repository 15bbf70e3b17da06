// Command h2spec: a small command line for the h2spec library in ../shared/tools/h2spec/src, whose
// copy lacks upstream's cmd/h2spec (only the library packages were kept). Standard library `flag`
// only, so the build needs no more Debian packages than the library does. The flags keep upstream's
// short names, so the test drives either binary the same way: flags first, then spec ids
// (`http2/6.9.1/3`).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/summerwind/h2spec"
	"github.com/summerwind/h2spec/config"
)

func main() {
	c := config.Config{}
	var timeout int
	flag.StringVar(&c.Host, "h", "127.0.0.1", "target host")
	flag.IntVar(&c.Port, "p", 0, "target port (default 80, or 443 with -t)")
	flag.StringVar(&c.Path, "P", "/", "target path")
	flag.IntVar(&timeout, "o", 2, "seconds a test waits for the server")
	flag.IntVar(&c.MaxHeaderLen, "max-header-length", 4000, "maximum length of an HTTP header")
	flag.StringVar(&c.JUnitReport, "j", "", "path for a JUnit report")
	flag.BoolVar(&c.Strict, "S", false, "also run the test cases marked strict")
	flag.BoolVar(&c.DryRun, "dryrun", false, "list the test cases only")
	flag.BoolVar(&c.TLS, "t", false, "connect over TLS (ALPN h2)")
	flag.StringVar(&c.Ciphers, "c", "", "colon-separated TLS cipher names")
	flag.BoolVar(&c.Insecure, "k", false, "do not verify the server's certificate")
	flag.BoolVar(&c.Verbose, "v", false, "verbose log")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: %s [flags] [spec id...]   (spec ids: http2, hpack, generic, http2/6.9.1, http2/6.9.1/3)\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if c.Port == 0 {
		c.Port = 80
		if c.TLS {
			c.Port = 443
		}
	}
	c.Timeout = time.Duration(timeout) * time.Second
	c.Sections = flag.Args()
	ok, err := h2spec.Run(&c)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}
