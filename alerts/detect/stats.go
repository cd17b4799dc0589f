package detect

import "math"

// BinomialUpper returns P(X >= k) for X ~ Binomial(n, p): the regularized
// incomplete beta function I_p(k, n-k+1).
func BinomialUpper(k, n uint64, p float64) float64 {
	switch {
	case k == 0:
		return 1
	case k > n || p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	return incBeta(float64(k), float64(n-k+1), p)
}

// incBeta is the regularized incomplete beta function I_x(a, b), by the
// continued fraction (Lentz's method) on the side where it converges fast.
func incBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

// betaCF evaluates the continued fraction of the regularized incomplete
// beta function by the modified Lentz method.
func betaCF(a, b, x float64) float64 {
	const (
		maxIter = 300
		eps     = 1e-14
	)
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < lentzTiny {
		d = lentzTiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= maxIter; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		var del float64
		c, d, del = lentzStep(aa, c, d)
		h *= del
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		c, d, del = lentzStep(aa, c, d)
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// lentzTiny stands in for a zero denominator in the Lentz recurrences.
const lentzTiny = 1e-300

// lentzStep advances the Lentz recurrences c and d by the coefficient aa
// and returns them with del, the factor the fraction's value is
// multiplied by.
func lentzStep(aa, c, d float64) (float64, float64, float64) {
	d = 1 + aa*d
	if math.Abs(d) < lentzTiny {
		d = lentzTiny
	}
	c = 1 + aa/c
	if math.Abs(c) < lentzTiny {
		c = lentzTiny
	}
	d = 1 / d
	return c, d, d * c
}

// NormalCDF returns P(Z <= z) for a standard normal Z.
func NormalCDF(z float64) float64 {
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

// HypergeomUpper returns P(X >= x) for X ~ Hypergeometric(population N
// with K successes, n draws).
func HypergeomUpper(x, n, k, pop uint64) float64 {
	if x == 0 {
		return 1
	}
	k, n = min(k, pop), min(n, pop)
	hi := min(k, n)
	if x > hi {
		return 0
	}
	// The support starts at max(0, n+k-N).
	if n+k > pop && x <= n+k-pop {
		return 1
	}
	lc := func(a, b uint64) float64 {
		x, _ := math.Lgamma(float64(a) + 1)
		y, _ := math.Lgamma(float64(b) + 1)
		z, _ := math.Lgamma(float64(a-b) + 1)
		return x - y - z
	}
	term := math.Exp(lc(k, x) + lc(pop-k, n-x) - lc(pop, n))
	sum := term
	for j := x; j < hi; j++ {
		// term(j+1)/term(j) = (K-j)(n-j) / ((j+1)(N-K-n+j+1))
		term *= float64(k-j) * float64(n-j) / (float64(j+1) * float64(pop-k-n+j+1))
		sum += term
		if term < sum*1e-16 {
			break
		}
	}
	return min(sum, 1)
}

// RateTest compares a series' count in the current window with its
// baseline as a share of its scope's traffic: x of nc records in the
// window against y of nb records in the baseline period. Under "the series
// keeps its share", x is hypergeometric given the margins (Fisher's exact
// test, one-sided); the p-value is its upper tail at x. The test is exact
// at low counts and carries the uncertainty of a baseline made of few
// records. Conditioning on the window's traffic accounts for time of day,
// day of week and volume. expected is y/nb × nc, the count the baseline
// share predicts.
func RateTest(x, y, nc, nb uint64) (p, expected float64) {
	nc, nb = max(nc, x), max(nb, y)
	if nb > 0 {
		expected = float64(y) / float64(nb) * float64(nc)
	}
	if float64(x) <= expected {
		return 1, expected // not above the baseline: no need for the tail
	}
	return HypergeomUpper(x, nc, x+y, nc+nb), expected
}
