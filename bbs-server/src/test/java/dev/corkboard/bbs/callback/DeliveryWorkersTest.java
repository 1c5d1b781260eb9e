package dev.corkboard.bbs.callback;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.callback.DeliveryWorkers.Offer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryWorkersTest {

    /** Records every delivery; a delivery waits while the gate is closed. */
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();
    private final List<String> interrupted = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger drops = new AtomicInteger();
    private DeliveryWorkers workers;

    private DeliveryWorkers workers(int count, int capacity) {
        workers = new DeliveryWorkers(count, capacity, (guid, pause) -> {
            started.add(guid);
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.add(guid);
                throw e;
            }
            finished.computeIfAbsent(guid, g -> new AtomicInteger()).incrementAndGet();
        }, drops::incrementAndGet);
        return workers;
    }

    @AfterEach
    void close() {
        gate.countDown();
        workers.close(Duration.ofSeconds(1));
    }

    private int finishedCount(String guid) {
        AtomicInteger count = finished.get(guid);
        return count == null ? 0 : count.get();
    }

    @Test
    void aGuidAlreadyWaitingIsNotQueuedTwice() throws Exception {
        workers(1, 4);
        assertEquals(Offer.QUEUED, workers.offer("a", Duration.ZERO));
        await().until(() -> started.contains("a"));
        assertEquals(Offer.QUEUED, workers.offer("b", Duration.ZERO));
        assertEquals(Offer.ALREADY_PENDING, workers.offer("b", Duration.ZERO));
        assertEquals(1, workers.depth());

        gate.countDown();

        await().until(() -> finishedCount("a") == 1 && finishedCount("b") == 1);
        assertEquals(List.of("a", "b"), started);
    }

    @Test
    void aGuidOfferedWhileBeingDeliveredIsDeliveredOnceMoreAfterwards() throws Exception {
        workers(2, 4);
        workers.offer("a", Duration.ZERO);
        await().until(() -> started.contains("a"));

        assertEquals(Offer.ALREADY_PENDING, workers.offer("a", Duration.ZERO));
        assertEquals(Offer.ALREADY_PENDING, workers.offer("a", Duration.ZERO));
        gate.countDown();

        await().until(() -> finishedCount("a") == 2);
        workers.offer("marker", Duration.ZERO);
        await().until(() -> finishedCount("marker") == 1);
        assertEquals(2, finishedCount("a"));
    }

    @Test
    void anOfferToAFullQueueIsDroppedAndCountedAtOnce() throws Exception {
        workers(1, 1);
        workers.offer("running", Duration.ZERO);
        await().until(() -> started.contains("running"));
        assertEquals(Offer.QUEUED, workers.offer("waiting", Duration.ZERO));

        assertEquals(Offer.DROPPED, workers.offer("dropped", Duration.ZERO));
        assertEquals(1, drops.get());

        gate.countDown();
        await().until(() -> finishedCount("running") == 1 && finishedCount("waiting") == 1);
        assertEquals(0, finishedCount("dropped"));
        assertEquals(Offer.QUEUED, workers.offer("dropped", Duration.ZERO)); // a dropped guid can be offered again
        await().until(() -> finishedCount("dropped") == 1);
    }

    @Test
    void anOfferAllowedToWaitIsQueuedOnceRoomFrees() throws Exception {
        workers(1, 1);
        workers.offer("running", Duration.ZERO);
        await().until(() -> started.contains("running"));
        workers.offer("waiting", Duration.ZERO);

        CompletableFuture<Offer> patient = CompletableFuture.supplyAsync(() -> {
            try {
                return workers.offer("patient", Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(patient.isDone());
        gate.countDown();

        assertEquals(Offer.QUEUED, patient.get(30, TimeUnit.SECONDS));
        await().until(() -> finishedCount("patient") == 1);
        assertEquals(0, drops.get());
    }

    @Test
    void closingAbandonsWaitingGuidsInterruptsOverdueDeliveriesAndRefusesOffers() throws Exception {
        workers(1, 4);
        workers.offer("running", Duration.ZERO);
        await().until(() -> started.contains("running"));
        workers.offer("waiting", Duration.ZERO);

        workers.close(Duration.ofMillis(100));

        await().until(() -> interrupted.equals(List.of("running")));
        assertEquals(List.of("running"), started);
        assertEquals(Offer.CLOSED, workers.offer("late", Duration.ZERO));
        assertFalse(workers.pause(Duration.ofSeconds(30)), "a round pausing after close stops at once");
    }

    @Test
    void pausingWhileOpenWaitsAndSaysContinue() throws Exception {
        workers(1, 1);
        assertTrue(workers.pause(Duration.ofMillis(1)));
    }
}
