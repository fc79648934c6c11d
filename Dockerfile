# gslb container image: docker build -t gslb . (see README.md, "Running in production").
# Build stage: a static binary, stamped with the version given as a build
# argument (docker build --build-arg VERSION=$(git describe --always --dirty) .).
FROM golang:1.26 AS build
ARG VERSION=unknown
ENV GOPROXY=https://proxy.golang.org,direct CGO_ENABLED=0 GOTOOLCHAIN=auto
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gslb ./cmd/gslb \
 && mkdir -p /out/var/lib/gslb

# Final stage: nothing but the binary, the example configuration and the
# sample GeoIP databases, run as an unprivileged numeric user. Docker lets
# such a user bind port 53 (net.ipv4.ip_unprivileged_port_start=0 in the
# container's network namespace, the default since Docker 20.10).
FROM scratch
COPY --from=build /out/gslb /usr/local/bin/gslb
COPY testdata/example/zones /etc/gslb/zones
COPY dist/docker/gslb.toml /etc/gslb/gslb.toml
COPY testdata/geoip/GeoIP2-City-Test.mmdb testdata/geoip/GeoLite2-ASN-Test.mmdb /usr/share/GeoIP/
COPY --from=build --chown=65534:65534 /out/var/lib/gslb /var/lib/gslb
USER 65534:65534
VOLUME /var/lib/gslb
EXPOSE 53/udp 53/tcp 8053/tcp
ENTRYPOINT ["/usr/local/bin/gslb", "serve"]
CMD ["-config", "/etc/gslb/gslb.toml"]
