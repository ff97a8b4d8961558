package output

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/influxdata/telegraf"
)

// What a point may contain is decided here, for the points the plugin makes
// and the lines the writer writes alike: the plugin cleans its texts with
// TagValue and FieldText and checks each point with CheckPoint before it
// adds it; the writer escapes what is left.

// MaxPointBytes bounds the line-protocol size of one point, escaping
// included, well under the 64 KiB line buffer of inputs.execd: a longer line
// would be lost there with an error in Telegraf's log. The MIP decoder
// bounds texts by the same size (mipapi.TextLimit).
const MaxPointBytes = 32 * 1024

// CheckPoint refuses a point that would not survive the trip to Telegraf:
// no field, a non-finite float, or a line too long. The execd shim stops
// writing altogether on a point it cannot serialize, so none may reach it.
// A vertical tab in a tag value, which the serializer writes as it is and
// Telegraf's parser refuses (the whole line lost), becomes a space: every
// point passes here, whatever MIP text its tags were made of.
func CheckPoint(m telegraf.Metric) error {
	for _, t := range m.TagList() {
		if strings.Contains(t.Value, "\v") {
			m.AddTag(t.Key, strings.ReplaceAll(t.Value, "\v", " "))
		}
	}
	fields := m.FieldList()
	if len(fields) == 0 {
		return errors.New("no field")
	}
	size := HeadBytes(m)
	for _, f := range fields {
		if v, ok := f.Value.(float64); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return fmt.Errorf("field %q is not a finite number", f.Key)
		}
		size += FieldBytes(f.Key, f.Value)
	}
	if size > MaxPointBytes {
		return fmt.Errorf("the point would be over %d bytes of line protocol", MaxPointBytes)
	}
	return nil
}

// HeadBytes bounds the line-protocol size of a point without its fields:
// name, tags, separators and timestamp. Escaping at most doubles a text, so
// HeadBytes and FieldBytes are upper bounds.
func HeadBytes(m telegraf.Metric) int {
	size := 2*len(m.Name()) + 32
	for _, t := range m.TagList() {
		size += 2*(len(t.Key)+len(t.Value)) + 2
	}
	return size
}

// FieldBytes bounds the line-protocol size of a field.
func FieldBytes(key string, value any) int {
	size := 2*len(key) + 2
	if s, ok := value.(string); ok {
		return size + 2*len(s) + 2
	}
	return size + 24
}

// TagValue makes a text a tag value line protocol can carry: the influx
// serializer drops trailing backslashes (they would escape what follows),
// so they are dropped here, where an emptied value can still be left out
// knowingly.
func TagValue(s string) string {
	return strings.TrimRight(s, `\`)
}

// lineBreaks become spaces in a string field: see FieldText.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// FieldText makes a text a string field inputs.execd can read: it reads
// stdout line by line, so line breaks become spaces.
func FieldText(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return lineBreaks.Replace(s)
	}
	return s
}
