package main

import (
	"context"
	"fmt"
	"io"
)

// verifyAudit checks the audit log's chain and prints each break, or that
// the chain is intact; it returns errVerifyFailed when the chain is
// broken.
func verifyAudit(ctx context.Context, c Config, stdout io.Writer) error {
	db, err := open(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if len(r.Broken) == 0 {
		fmt.Fprintf(stdout, "audit: %d records, chain intact\n", r.Records)
		return nil
	}
	for _, b := range r.Broken {
		if b.Seq == 0 {
			fmt.Fprintf(stdout, "audit: %s\n", b.Reason)
		} else {
			fmt.Fprintf(stdout, "audit: record %d: %s\n", b.Seq, b.Reason)
		}
	}
	places := "places"
	if len(r.Broken) == 1 {
		places = "place"
	}
	fmt.Fprintf(stdout, "audit: %d records, chain broken in %d %s\n", r.Records, len(r.Broken), places)
	return errVerifyFailed
}
