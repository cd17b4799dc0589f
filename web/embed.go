// Package web holds the dashboard's static assets, embedded in the binary so
// that it works without internet access. The charting library is not in the
// repository: `make web` installs it from the npm registry (web/package.json,
// package-lock.json) and copies it to static/vendor/ before the Go build.
package web

import "embed"

// Static is the dashboard: static/index.html, app.js, app.css and
// static/vendor/echarts.min.js (after make web).
//
//go:embed static
var Static embed.FS
