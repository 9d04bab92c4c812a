package project_test

import (
	"context"
	"testing"

	"github.com/berth-dev/berth/project"
)

// BenchmarkLoadExample measures loading the example stack: the cost every
// Berth command pays before it talks to the engine.
func BenchmarkLoadExample(b *testing.B) {
	opts := project.Options{ConfigPaths: []string{"../examples/microservices/compose.yaml"}, WorkDir: "."}
	for b.Loop() {
		if _, err := project.Load(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServiceHash measures hashing one service of the example stack.
func BenchmarkServiceHash(b *testing.B) {
	p, err := project.Load(context.Background(), project.Options{ConfigPaths: []string{"../examples/microservices/compose.yaml"}, WorkDir: "."})
	if err != nil {
		b.Fatal(err)
	}
	web := p.Compose.Services["web"]
	for b.Loop() {
		if _, err := project.ServiceHash(web); err != nil {
			b.Fatal(err)
		}
	}
}
