// Pins istio.io/api, whose CustomResourceDefinitions (kubernetes/customresourcedefinitions.gen.yaml in the
// module) the traffic tests install for the istio provider. Objects only: no Istio data plane runs in tests.
module modelship.io/test/cluster/istio-api

go 1.25.0

require istio.io/api v1.32.0

require (
	github.com/golang/protobuf v1.5.4 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20251213004720-97cd9d5aeac2 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
