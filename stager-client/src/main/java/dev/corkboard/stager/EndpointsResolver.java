package dev.corkboard.stager;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a fixed list of BBS endpoints into one address group per replica, so the channel's load balancer keeps a
 * connection to each replica and stops picking one that fails. Host names are looked up again on every refresh (after
 * a connection drops), so a replica that moved to a new address is found.
 */
final class EndpointsResolver extends NameResolverProvider {

    static final String SCHEME = "corkboard-bbs";

    private final BbsEndpoints endpoints;

    EndpointsResolver(BbsEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
        if (!SCHEME.equals(targetUri.getScheme())) {
            return null;
        }
        return new NameResolver() {
            private Listener2 listener;

            @Override
            public String getServiceAuthority() {
                InetSocketAddress first = endpoints.addresses().get(0);
                return first.getHostString();
            }

            @Override
            public void start(Listener2 newListener) {
                this.listener = newListener;
                resolve();
            }

            @Override
            public void refresh() {
                resolve();
            }

            private void resolve() {
                List<EquivalentAddressGroup> groups = new ArrayList<>();
                List<String> unknown = new ArrayList<>();
                for (InetSocketAddress address : endpoints.addresses()) {
                    try {
                        for (InetAddress ip : InetAddress.getAllByName(address.getHostString())) {
                            SocketAddress resolved = new InetSocketAddress(ip, address.getPort());
                            groups.add(new EquivalentAddressGroup(resolved));
                        }
                    } catch (UnknownHostException e) {
                        unknown.add(address.getHostString());
                    }
                }
                StatusOr<List<EquivalentAddressGroup>> addresses = groups.isEmpty()
                        ? StatusOr.fromStatus(Status.UNAVAILABLE.withDescription("no BBS endpoint resolves: " + unknown))
                        : StatusOr.fromValue(groups);
                listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(addresses).build());
            }

            @Override
            public void shutdown() {
                // nothing held
            }
        };
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public java.util.Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }
}
