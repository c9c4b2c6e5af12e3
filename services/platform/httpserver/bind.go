package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/validator/v10"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// BindJSON decodes the request body into dst (a pointer) and validates it
// with gin's validator (`binding:"..."` tags). It rejects what a client can
// get wrong, each as an apperr the handler can return as is:
//
//   - broken JSON, a wrong type, an unknown field, or trailing data:
//     Invalid, code INVALID_JSON (details.field names the field if known);
//   - a failed `binding:` rule: Invalid, code VALIDATION, with
//     details.field and details.rule for the first failure and
//     details.violations listing all of them;
//   - a body over the limit: TooLarge, code "BODY_TOO_LARGE".
//
// Field names are the JSON names clients sent, not Go names.
func BindJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return apperr.New(apperr.Invalid, apperr.CodeInvalidJSON, "request body is empty")
	}
	dec := json.NewDecoder(c.Request.Body)
	// A misspelt field would otherwise be dropped silently and the request
	// processed without it.
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return tooLarge(tooBig.Limit, err)
		}
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON, "request body must hold exactly one JSON value", err)
	}
	if err := binding.Validator.ValidateStruct(dst); err != nil {
		return validationError(dst, err)
	}
	return nil
}

// decodeError classifies an encoding/json error; the messages are written for
// API users and never include the Go type of the target.
func decodeError(err error) error {
	var (
		tooBig    *http.MaxBytesError
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		invalidUm *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &tooBig):
		return tooLarge(tooBig.Limit, err)
	case errors.As(err, &invalidUm):
		return fmt.Errorf("httpserver: BindJSON needs a non-nil pointer: %w", err) // a bug: Internal
	case errors.Is(err, io.EOF):
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON, "request body is empty", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON, "request body is truncated JSON", err)
	case errors.As(err, &syntax):
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON,
			fmt.Sprintf("malformed JSON at byte %d", syntax.Offset), err).With("offset", syntax.Offset)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON,
			fmt.Sprintf("field %q must be %s", typeErr.Field, jsonTypeName(typeErr.Type)), err).
			With("field", typeErr.Field)
	case errors.As(err, &typeErr):
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON,
			fmt.Sprintf("request body must be %s", jsonTypeName(typeErr.Type)), err)
	}
	// encoding/json has no error type for unknown fields, only this text.
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON, fmt.Sprintf("unknown field %q", field), err).
			With("field", field)
	}
	return apperr.Wrap(apperr.Invalid, apperr.CodeInvalidJSON, "request body is not valid JSON", err)
}

// jsonTypeName names a Go type the way an API user thinks of JSON.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// validationError turns validator errors into one Invalid error naming the
// JSON fields that failed.
func validationError(dst any, err error) error {
	var fieldErrs validator.ValidationErrors
	if !errors.As(err, &fieldErrs) || len(fieldErrs) == 0 {
		return apperr.Wrap(apperr.Invalid, apperr.CodeValidation, "request body failed validation", err)
	}
	root := reflect.TypeOf(dst)
	violations := make([]map[string]string, 0, len(fieldErrs))
	for _, fe := range fieldErrs {
		violations = append(violations, map[string]string{
			"field": jsonPath(root, fe.StructNamespace()),
			"rule":  fe.Tag(),
		})
	}
	first := violations[0]
	return apperr.Wrap(apperr.Invalid, apperr.CodeValidation,
		fmt.Sprintf("field %q fails rule %q", first["field"], first["rule"]), err).
		With("field", first["field"]).
		With("rule", first["rule"]).
		With("violations", violations)
}

// jsonPath turns a validator namespace such as "createOrder.Lines[0].SKU"
// into the path the client sent, "lines[0].sku", by following json tags from
// the root type. Parts it cannot resolve keep their Go names.
func jsonPath(root reflect.Type, namespace string) string {
	parts := strings.Split(namespace, ".")
	if len(parts) > 1 {
		parts = parts[1:] // the first part is the root type's name
	}
	t := root
	out := make([]string, 0, len(parts))
	for _, part := range parts {
		name, index, indexed := strings.Cut(part, "[")
		t = deref(t)
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(name); ok {
				name, t = jsonName(f), f.Type
			} else {
				t = nil
			}
		} else {
			t = nil
		}
		if indexed {
			name += "[" + index
			for range strings.Count(index, "[") + 1 {
				if t = deref(t); t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
					t = t.Elem()
				} else {
					t = nil
				}
			}
		}
		out = append(out, name)
	}
	return strings.Join(out, ".")
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonName is the name encoding/json uses for f.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}
