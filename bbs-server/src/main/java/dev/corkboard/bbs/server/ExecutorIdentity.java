package dev.corkboard.bbs.server;

import dev.corkboard.bbs.state.TaskError;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Under mutual TLS, who the caller is: the subject CN of its client certificate, put in the gRPC {@link Context} for
 * the call's handler. Executor calls ({@code ExecutorService}, and ClaimTask, StartTask, RejectTask, CompleteTask of
 * {@code TaskService}) whose {@code executor_id} is not that identity are refused with {@code PERMISSION_DENIED}
 * naming both. A certificate without a CN names nobody, so such a caller cannot act as any executor.
 *
 * <p>Installed only when the server requires client certificates. Without mutual TLS no identity exists and
 * {@link #check} lets every call through: any client can then act as any executor.
 */
final class ExecutorIdentity implements ServerInterceptor {

    /** The caller's CN; the empty string for a certificate without one; unset without mutual TLS. */
    private static final Context.Key<String> IDENTITY = Context.key("corkboard-executor-identity");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Context context = Context.current().withValue(IDENTITY, session == null ? "" : commonName(session).orElse(""));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** A refusal when the call's identity is known and is not {@code executorId}. */
    static Optional<TaskError.NotTheCaller> check(String executorId) {
        String identity = IDENTITY.get();
        if (identity == null || identity.equals(executorId)) {
            return Optional.empty();
        }
        return Optional.of(new TaskError.NotTheCaller(executorId, identity.isEmpty() ? "(none)" : identity));
    }

    private static Optional<String> commonName(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
                return Optional.empty();
            }
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            // no usable certificate: no identity
        }
        return Optional.empty();
    }
}
