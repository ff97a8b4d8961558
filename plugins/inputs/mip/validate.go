package mip

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// maxPointBytes bounds the line-protocol size of one point, escaping
// included, well under the 64 KiB line buffer of inputs.execd: a longer line
// would be lost there with an error in Telegraf's log. The decoder bounds
// texts by the same size.
const maxPointBytes = mipapi.TextLimit

// checkPoint refuses a point that would not survive the trip to Telegraf:
// no field, a non-finite float, or a line too long. The execd shim stops
// writing altogether on a point it cannot serialize, so none may reach it.
// A vertical tab in a tag value, which the serializer writes as it is and
// Telegraf's parser refuses (the whole line lost), becomes a space: every
// point passes here, whatever MIP text its tags were made of.
func checkPoint(m telegraf.Metric) error {
	for _, t := range m.TagList() {
		if strings.Contains(t.Value, "\v") {
			m.AddTag(t.Key, strings.ReplaceAll(t.Value, "\v", " "))
		}
	}
	fields := m.FieldList()
	if len(fields) == 0 {
		return errors.New("no field")
	}
	size := headBytes(m)
	for _, f := range fields {
		if v, ok := f.Value.(float64); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return fmt.Errorf("field %q is not a finite number", f.Key)
		}
		size += fieldBytes(f.Key, f.Value)
	}
	if size > maxPointBytes {
		return fmt.Errorf("the point would be over %d bytes of line protocol", maxPointBytes)
	}
	return nil
}

// headBytes bounds the line-protocol size of a point without its fields:
// name, tags, separators and timestamp. Escaping at most doubles a text, so
// headBytes and fieldBytes are upper bounds.
func headBytes(m telegraf.Metric) int {
	size := 2*len(m.Name()) + 32
	for _, t := range m.TagList() {
		size += 2*(len(t.Key)+len(t.Value)) + 2
	}
	return size
}

// fieldBytes bounds the line-protocol size of a field.
func fieldBytes(key string, value any) int {
	size := 2*len(key) + 2
	if s, ok := value.(string); ok {
		return size + 2*len(s) + 2
	}
	return size + 24
}

// tagValue makes a text a tag value line protocol can carry: the influx
// serializer drops trailing backslashes, so they are dropped here, where
// an emptied value can still be left out knowingly.
func tagValue(s string) string {
	return strings.TrimRight(s, `\`)
}

// fieldText makes a text a string field inputs.execd can read: it reads
// stdout line by line, so line breaks become spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

func fieldText(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return lineBreaks.Replace(s)
	}
	return s
}
