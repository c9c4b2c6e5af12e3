package apperr

// The codes the platform itself answers with, so that a service matching
// one (another service's unknown route, a dependency that is down) or
// answering with one of its own (a field that failed validation) spells it
// the same way. Each has one kind, noted beside it, wherever it is used.
// They are strings, the type of Error.Code. Codes the services agree on among
// themselves live in contracts.
//
// The scheme for every RocketMart code: UPPER_SNAKE; a bad value of a field
// is INVALID_<FIELD>, a missing one <FIELD>_REQUIRED, an unknown one
// UNKNOWN_<THING> or <THING>_NOT_FOUND (never both for one thing).
// api-docs/gen's TestErrorCodes enforces it.
const (
	CodeInternal              string = "INTERNAL"               // Internal: the generic 500
	CodeValidation            string = "VALIDATION"             // Invalid: a field broke a rule; details.field names it
	CodeInvalidJSON           string = "INVALID_JSON"           // Invalid: the body is not the JSON the route takes
	CodeBodyTooLarge          string = "BODY_TOO_LARGE"         // TooLarge
	CodeRouteNotFound         string = "ROUTE_NOT_FOUND"        // NotFound: no route has this path
	CodeMethodNotAllowed      string = "METHOD_NOT_ALLOWED"     // 405, written by the router
	CodeUserRequired          string = "USER_REQUIRED"          // Unauthorized: no X-User-ID
	CodeUnknownUser           string = "UNKNOWN_USER"           // Unauthorized: the caller claims a user that does not exist
	CodeAdminTokenRequired    string = "ADMIN_TOKEN_REQUIRED"   // Unauthorized
	CodeInvalidAdminToken     string = "INVALID_ADMIN_TOKEN"    // Forbidden
	CodeDependencyUnavailable string = "DEPENDENCY_UNAVAILABLE" // Unavailable: another service is down or answered badly
	CodeNotFound              string = "NOT_FOUND"              // NotFound: a row without a more specific code
	CodeDuplicate             string = "DUPLICATE"              // Conflict: a UNIQUE key without a more specific code
)
