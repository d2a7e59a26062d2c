package dev.faultline.ui;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.UIDetachedException;

import dev.faultline.run.HaltService;
import dev.faultline.run.Run;
import dev.faultline.run.RunEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Hands what happens on the server to the open views (which update through server push): run
 * events as the engine publishes them, and the kill switch's state, read from the database every
 * two seconds so that a halt pressed on another instance shows here too.
 */
@ApplicationScoped
public class UiEvents {

    private final HaltService halt;
    private final Set<Consumer<RunEvent>> runListeners = ConcurrentHashMap.newKeySet();
    private final Set<Consumer<Run.Halt>> haltListeners = ConcurrentHashMap.newKeySet();
    private volatile Run.Halt lastHalt;

    UiEvents(HaltService halt) {
        this.halt = halt;
    }

    /** Runs {@code refresh} in {@code view}'s UI after each run event, for as long as the view is attached. */
    public void refreshOnRunEvents(Component view, Runnable refresh) {
        whileAttached(view, runListeners, event -> refresh.run());
    }

    /** Hands each change of the kill switch to {@code show} in {@code view}'s UI, for as long as the view is attached. */
    public void onHaltChanged(Component view, Consumer<Run.Halt> show) {
        whileAttached(view, haltListeners, show);
    }

    private static <T> void whileAttached(Component view, Set<Consumer<T>> listeners, Consumer<T> action) {
        view.addAttachListener(attach -> {
            UI ui = attach.getUI();
            Consumer<T> listener = value -> ui.access(() -> action.accept(value));
            listeners.add(listener);
            view.addDetachListener(detach -> {
                listeners.remove(listener);
                detach.unregisterListener();
            });
        });
    }

    void runEvent(@ObservesAsync RunEvent event) {
        deliver(runListeners, event);
    }

    @Scheduled(every = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, executeWith = Scheduled.SIMPLE)
    void watchHalt() {
        // Read even while no page is open: a page opened later compares against what was true when it rendered, not before.
        Run.Halt now = halt.state();
        Run.Halt before = lastHalt;
        lastHalt = now;
        if (before == null || before.halted() != now.halted() || !java.util.Objects.equals(before.changedAt(), now.changedAt())) {
            deliver(haltListeners, now);
        }
    }

    private static <T> void deliver(Set<Consumer<T>> listeners, T value) {
        for (Consumer<T> listener : listeners) {
            try {
                listener.accept(value);
            } catch (UIDetachedException gone) {
                // the view went away between its detach and this delivery
            }
        }
    }
}
