# dcatlas: one static binary with its data, base map and web assets built in.
# Build: docker build -t dcatlas .    Run: docker run -p 8080:8080 dcatlas
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# container_test.go runs this same go build line and checks the binary is static.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dcatlas .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dcatlas /dcatlas
USER nonroot:nonroot
ENV DCATLAS_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s CMD ["/dcatlas", "healthcheck"]
ENTRYPOINT ["/dcatlas"]
CMD ["serve"]
