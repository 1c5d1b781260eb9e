package dev.corkboard.stager;

import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ListTasksResponse;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.proto.v1.WatchTasksResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Hands every completed task of one domain to a {@link CompletionHandler}, through the resolving protocol: for each
 * completion it calls ResolvingTask; only the caller that wins runs the handler; when the handler returns, it calls
 * ResolveTask, and when the handler throws, the task stays resolving until the converger demotes it and it is offered
 * again. Handlers therefore run at least once per task and every task is resolved exactly once, however many
 * listeners (stager replicas) run for the domain.
 *
 * <p>It learns of completions by listing the domain's completed tasks and then following the task watch from the
 * listing's revision. When the watch breaks (a BBS replica died, the network dropped) it resumes from the last
 * revision it saw on any replica that answers, backing off while none does; when the BBS says that revision is gone
 * (compacted) it lists again. A completion is never skipped: at worst it is offered twice, and the second
 * ResolvingTask loses.
 *
 * <p>Tasks with a completion callback URL are resolved by the BBS itself and are left alone here.
 */
public final class CompletionListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompletionListener.class);

    private final StagerClient client;
    private final String domain;
    private final CompletionHandler handler;
    private final ListenerSettings settings;
    private final ThreadPoolExecutor handlers;
    private final Set<String> offered = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread follower;
    private volatile Context.CancellableContext watch = Context.current().withCancellation();
    private volatile long lastRevision;

    private CompletionListener(StagerClient client, String domain, CompletionHandler handler,
            ListenerSettings settings) {
        this.client = client;
        this.domain = domain;
        this.handler = handler;
        this.settings = settings;
        AtomicInteger threads = new AtomicInteger();
        // a full queue makes the follower run the work itself: the watch slows down rather than dropping anything
        this.handlers = new ThreadPoolExecutor(settings.handlerThreads(), settings.handlerThreads(), 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(settings.queueCapacity()),
                work -> new Thread(work, "corkboard-completion-" + domain + "-" + threads.incrementAndGet()),
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.follower = new Thread(this::follow, "corkboard-completions-" + domain);
    }

    static CompletionListener start(StagerClient client, String domain, CompletionHandler handler,
            ListenerSettings settings) {
        if (domain.isBlank()) {
            throw new IllegalArgumentException("domain must not be empty");
        }
        CompletionListener listener = new CompletionListener(client, domain, handler, settings);
        listener.follower.start();
        return listener;
    }

    /**
     * The revision up to which this listener has seen every task change (it resumes after it); 0 before its first
     * listing.
     */
    public long lastRevision() {
        return lastRevision;
    }

    private void follow() {
        Duration backoff = settings.firstBackoff();
        boolean relist = true;
        while (closed.getCount() > 0) {
            try {
                if (relist) {
                    lastRevision = offerCompleted();
                    relist = false;
                }
                relist = followWatch();
                backoff = settings.firstBackoff();
            } catch (StatusRuntimeException e) {
                if (closed.getCount() == 0) {
                    return;
                }
                log.warn("task watch for domain {} broke after revision {}: {}; resuming in {} ms", domain,
                        lastRevision, e.getStatus(), backoff.toMillis());
                if (pause(backoff)) {
                    return;
                }
                backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
            } catch (RuntimeException e) {
                log.error("completion listener for domain {} failed; restarting from a fresh listing", domain, e);
                relist = true;
                if (pause(settings.maxBackoff())) {
                    return;
                }
            }
        }
    }

    /** Offers every completed task of the domain; returns the revision the listing was read at. */
    private long offerCompleted() {
        ListTasksRequest request = ListTasksRequest.newBuilder()
                .setState(TaskState.COMPLETED).setDomain(domain).build();
        while (true) {
            ListTasksResponse page = client.listPage(request);
            page.getTasksList().forEach(this::offer);
            if (page.getNextPageToken().isEmpty()) {
                return page.getRevision();
            }
            request = request.toBuilder().setPageToken(page.getNextPageToken()).build();
        }
    }

    /** Follows the watch until it ends; true when the BBS says the revision is gone and a fresh listing is needed. */
    private boolean followWatch() {
        Context.CancellableContext context = Context.current().withCancellation();
        watch = context;
        if (closed.getCount() == 0) {
            context.cancel(null);
        }
        try {
            return context.call(() -> {
                Iterator<WatchTasksResponse> responses = client.watch(lastRevision);
                while (responses.hasNext()) {
                    WatchTasksResponse response = responses.next();
                    if (response.hasResyncRequired()) {
                        log.info("revision {} is no longer available; listing domain {} again", lastRevision, domain);
                        return true;
                    }
                    TaskEvent event = response.getEvent();
                    // one transaction may change several tasks at one revision, so only the revisions before this
                    // event's are surely complete: a resume sees this revision again (a repeated offer loses)
                    lastRevision = Math.max(lastRevision, event.getRevision() - 1);
                    completedTask(event).ifPresent(this::offer);
                }
                // the server ended the stream (it is shutting down): resume on another replica
                throw Status.UNAVAILABLE.withDescription("the BBS ended the task watch").asRuntimeException();
            });
        } catch (StatusRuntimeException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            context.cancel(null);
        }
    }

    /** The task an event leaves completed in this domain, when it is this listener's to resolve. */
    private Optional<Task> completedTask(TaskEvent event) {
        Task task = switch (event.getEventCase()) {
            case CREATED -> event.getCreated().getTask();
            case CHANGED -> event.getChanged().getAfter();
            case REMOVED, EVENT_NOT_SET -> null;
        };
        return Optional.ofNullable(task).filter(this::ours);
    }

    private boolean ours(Task task) {
        return task.getState() == TaskState.COMPLETED && task.getDomain().equals(domain)
                && task.getDefinition().getCompletionCallbackUrl().isEmpty();
    }

    private void offer(Task task) {
        if (!ours(task) || !offered.add(task.getGuid())) {
            return; // not ours, or already on its way to a handler
        }
        handlers.execute(() -> {
            try {
                resolve(task);
            } finally {
                offered.remove(task.getGuid());
            }
        });
    }

    private void resolve(Task task) {
        MDC.put("task_guid", task.getGuid());
        try {
            Task resolving;
            try {
                resolving = client.resolving(task.getGuid());
            } catch (StatusRuntimeException e) {
                // lost to another listener, already resolved, or no BBS: in every case not ours to handle now
                log.debug("not resolving task: {}", e.getStatus());
                return;
            }
            try {
                handler.handle(resolving);
            } catch (Exception e) {
                log.warn("completion handler failed; the task stays resolving and is offered again later", e);
                return;
            }
            resolveAfterHandling(task.getGuid());
        } finally {
            MDC.remove("task_guid");
        }
    }

    /** Retries while no replica answers; NOT_FOUND means an earlier try already removed it. */
    private void resolveAfterHandling(String guid) {
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                client.resolve(guid);
                return;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.NOT_FOUND) {
                    return;
                }
                boolean transient_ = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
                if (!transient_ || attempt >= 5 || pause(backoff)) {
                    log.warn("could not resolve the handled task ({}); the converger will offer it again",
                            e.getStatus());
                    return;
                }
                backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
            }
        }
    }

    /** Waits, waking early when the listener closes; true when it closed. */
    private boolean pause(Duration duration) {
        try {
            return closed.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Stops following completions and lets running handlers finish (up to 10 s). */
    @Override
    public void close() {
        closed.countDown();
        watch.cancel(null);
        try {
            follower.join(TimeUnit.SECONDS.toMillis(10));
            handlers.shutdown();
            if (!handlers.awaitTermination(10, TimeUnit.SECONDS)) {
                handlers.shutdownNow();
            }
        } catch (InterruptedException e) {
            handlers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
