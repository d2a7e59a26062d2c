package dev.faultline.ui;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.datepicker.DatePicker;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;

import dev.faultline.InvalidDocumentException;
import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.schedule.GameDayService;
import dev.faultline.schedule.GameDayView;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import dev.faultline.security.User;
import dev.faultline.security.UserService;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Game days: the plan of each, who approved it, and how it went; experimenters plan one here,
 * approvers other than its creator approve it, participants record findings.
 */
@Route("gamedays")
@PageTitle("Game days · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class GameDaysView extends VerticalLayout {

    private final GameDayService gameDays;
    private final UiActions actions;
    private final Caller user;
    private final Grid<GameDayView> grid = new Grid<>();
    private final TextField name = new TextField("Name");
    private final TextField title = new TextField("Title");
    private final DateTimePicker startAt = new DateTimePicker("Starts at");
    private final MultiSelectComboBox<String> participants = new MultiSelectComboBox<>("Participants");
    private final TextArea steps = new TextArea("Steps");
    private final FieldErrors errors = new FieldErrors("gameday-errors");
    private final H3 planTitle = new H3("Plan a game day");
    private final Button planButton = new Button("Plan game day");
    /** Whether the plan form changes an existing game day rather than planning a new one. */
    private boolean editing;
    private final VerticalLayout details = new VerticalLayout();

    public GameDaysView(GameDayService gameDays, UserService users, SecurityIdentity identity, UiActions actions) {
        this.gameDays = gameDays;
        this.user = CurrentUser.of(identity);
        this.actions = actions;
        grid.setId("gamedays");
        grid.addColumn(GameDayView::name).setHeader("Name").setAutoWidth(true);
        grid.addColumn(GameDayView::title).setHeader("Title").setAutoWidth(true);
        grid.addColumn(day -> BrowserTime.minutes(day.startAt())).setHeader("Starts").setAutoWidth(true);
        grid.addColumn(GameDayView::state).setHeader("State").setAutoWidth(true);
        grid.addColumn(day -> day.approval() == null ? "" : day.approval().by()).setHeader("Approved by").setAutoWidth(true);
        grid.addColumn(GameDayView::reason).setHeader("").setFlexGrow(2);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.setEmptyStateText("No game day planned.");
        grid.asSingleSelect().addValueChangeListener(change -> showDetails(change.getValue()));

        name.setId("gameday-name");
        title.setId("gameday-title");
        startAt.setId("gameday-start");
        startAt.setHelperText("In your time zone, " + BrowserTime.zone().getId());
        participants.setId("gameday-participants");
        participants.setItems(users.list().stream().map(User::username).toList());
        steps.setId("gameday-steps");
        steps.setHelperText("One step per line, run in order; experiments of one step run in parallel, separated by commas. "
                + "End a line with \"continue\" to go on if that step fails.");
        steps.setWidthFull();
        errors.on("name", name).on("title", title).on("startAt", startAt).on("timeZone", startAt).on("participants", participants)
                .on("steps", steps);
        planButton.addClickListener(click -> plan());
        planButton.setId("plan-gameday");
        planButton.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button clear = new Button("New", click -> fill(null));
        FormLayout form = new FormLayout(name, title, startAt, participants);
        form.add(steps, 2);
        VerticalLayout planning = new VerticalLayout(planTitle, form, errors.others(), new HorizontalLayout(planButton, clear));
        planning.addClassName("card");
        planning.setVisible(user.has(Role.EXPERIMENTER));

        details.setId("gameday-details");
        details.addClassName("card");
        details.setVisible(false);
        add(new H2("Game days"), grid, details, planning);
        setWidthFull();
        refresh();
        fill(null);
    }

    private void refresh() {
        grid.setItems(gameDays.list());
    }

    private void plan() {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.put("name", name.getValue().strip());
        document.put("title", title.getValue().strip());
        if (startAt.getValue() != null) {
            document.put("startAt", startAt.getValue().toString());
            document.put("timeZone", BrowserTime.zone().getId());
        }
        ArrayNode people = document.putArray("participants");
        participants.getSelectedItems().forEach(people::add);
        ArrayNode stepList = document.putArray("steps");
        for (String line : steps.getValue().split("\n")) {
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            boolean continueOnFailure = text.endsWith(" continue");
            List<String> experiments = Arrays.stream(text.replaceFirst(" continue$", "").split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
            ObjectNode step = stepList.addObject();
            ArrayNode names = step.putArray("experiments");
            experiments.forEach(names::add);
            if (continueOnFailure) {
                step.put("continueOnFailure", true);
            }
        }
        errors.clear();
        String dayName = document.path("name").asText();
        try {
            if (editing) {
                gameDays.put(user, dayName, document);
            } else {
                gameDays.create(user, document);
            }
            Notification.show((editing ? "Changed" : "Planned") + "; an approver other than you must approve it", 4000,
                    Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            refresh();
            fill(null);
        } catch (InvalidDocumentException e) {
            errors.show(e.errors());
        } catch (ResourceConflictException e) {
            errors.show("name", e.getMessage());
        } catch (PolicyDeniedException e) {
            errors.show("steps", e.getMessage());
        }
    }

    /** The experiments of a step as written: {@code experiment: a} or {@code experiments: [a, b]}. */
    private static List<String> experimentsOf(com.fasterxml.jackson.databind.JsonNode step) {
        List<String> names = new java.util.ArrayList<>();
        (step.has("experiment") ? List.of(step.get("experiment")) : (Iterable<com.fasterxml.jackson.databind.JsonNode>) step
                .path("experiments")).forEach(e -> names.add(e.asText()));
        return names;
    }

    /** Fills the plan form with {@code day} to change it (its name fixed), or empties it for a new one. */
    private void fill(GameDayView day) {
        editing = day != null;
        errors.clear();
        planTitle.setText(editing ? "Change game day " + day.name() : "Plan a game day");
        name.setValue(editing ? day.name() : "");
        name.setReadOnly(editing);
        title.setValue(editing ? day.title() : "");
        startAt.setValue(editing ? LocalDateTime.ofInstant(day.startAt(), BrowserTime.zone())
                : LocalDateTime.now(BrowserTime.zone()).plusDays(1).withHour(10).withMinute(0).withSecond(0).withNano(0));
        participants.setValue(editing ? new java.util.LinkedHashSet<>(day.participants()) : java.util.Set.of());
        List<String> lines = new java.util.ArrayList<>();
        if (editing) {
            for (var step : day.steps()) {
                lines.add(String.join(", ", experimentsOf(step)) + (step.path("continueOnFailure").asBoolean(false) ? " continue" : ""));
            }
        }
        steps.setValue(String.join("\n", lines));
        planButton.setText(editing ? "Save changes" : "Plan game day");
    }

    /** The revision of an experiment the approval covers (what the step runs), as shown after its name; nothing while unapproved. */
    private static String approvedRevision(GameDayView day, String experiment) {
        Integer revision = day.approval() == null ? null : day.approval().revisions().get(experiment);
        return revision == null ? "" : " (revision " + revision + ")";
    }

    private void showDetails(GameDayView day) {
        details.removeAll();
        details.setVisible(day != null);
        if (day == null) {
            return;
        }
        details.add(new H3(day.title() + " (" + day.state() + ")"));
        details.add(new com.vaadin.flow.component.html.Paragraph(Optional.ofNullable(day.reason()).orElse("")));
        UnorderedList plan = new UnorderedList();
        int index = 1;
        for (var step : day.steps()) {
            plan.add(new ListItem("Step " + index++ + ": " + String.join(" ∥ ", experimentsOf(step).stream()
                    .map(experiment -> experiment + approvedRevision(day, experiment)).toList())
                    + (step.path("continueOnFailure").asBoolean(false) ? " (continues on failure)" : "")));
        }
        details.add(plan);
        UnorderedList progress = new UnorderedList();
        day.progress().forEach(run -> progress.add(new ListItem("step " + run.step() + ": " + run.experiment() + " → " + run.outcome()
                + (run.run() == null ? "" : " (run " + run.run() + ")"))));
        details.add(progress);
        HorizontalLayout buttons = new HorizontalLayout();
        if (user.has(Role.APPROVER) && "PLANNED".equals(day.state())) {
            Button approve = new Button("Approve", click -> act(day, () -> gameDays.approve(user, day.name()),
                    "Approved"));
            approve.setId("approve-gameday");
            approve.addThemeVariants(ButtonVariant.LUMO_SUCCESS);
            buttons.add(approve);
        }
        if (user.has(Role.EXPERIMENTER) && "APPROVED".equals(day.state())) {
            Button start = new Button("Start now", click -> act(day, () -> gameDays.start(user, day.name()), "Started"));
            start.setId("start-gameday");
            buttons.add(start);
        }
        if (user.has(Role.EXPERIMENTER) && List.of("PLANNED", "APPROVED").contains(day.state())) {
            Button edit = new Button("Edit", click -> fill(day));
            edit.setId("edit-gameday");
            buttons.add(edit);
        }
        if (List.of("PLANNED", "APPROVED", "RUNNING").contains(day.state())) {
            Button cancel = new Button("Cancel game day", click -> act(day, () -> gameDays.cancel(user, day.name()),
                    "Cancelled; its live runs are aborted"));
            cancel.setId("cancel-gameday");
            cancel.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
            buttons.add(cancel);
        }
        details.add(buttons);
        UnorderedList findings = new UnorderedList();
        day.findings().forEach(f -> findings.add(new ListItem(f.author() + ": " + f.text())));
        TextField finding = new TextField();
        finding.setId("finding");
        finding.setPlaceholder("a finding");
        Button record = new Button("Record finding", click -> act(day, () -> gameDays.addFinding(user, day.name(), finding.getValue()),
                "Recorded"));
        record.setId("record-finding");
        details.add(new H3("Findings"), findings, new HorizontalLayout(finding, record));
        details.add(new H3("Follow-up actions"), followUps(day));
    }

    /** The actions a game day left: each with its owner, due date and a tick when done; participants add more. */
    private VerticalLayout followUps(GameDayView day) {
        VerticalLayout list = new VerticalLayout();
        list.setPadding(false);
        list.setSpacing(false);
        list.setId("gameday-actions");
        for (GameDayView.Action action : day.actions()) {
            Checkbox done = new Checkbox(action.text() + (action.owner() == null ? "" : " (" + action.owner() + ")")
                    + (action.due() == null ? "" : ", due " + action.due()), action.done());
            done.addValueChangeListener(change -> {
                if (change.isFromClient()) {
                    actions.attempt(() -> gameDays.setDone(user, day.name(), action.id(), change.getValue()),
                            change.getValue() ? "Done" : "Reopened");
                }
            });
            list.add(done);
        }
        TextField text = new TextField();
        text.setId("action-text");
        text.setPlaceholder("a follow-up action");
        ComboBox<String> owner = new ComboBox<>();
        owner.setId("action-owner");
        owner.setPlaceholder("owner");
        owner.setItems(gameDays.people(day.name()).stream().sorted().toList());
        DatePicker due = new DatePicker();
        due.setId("action-due");
        due.setPlaceholder("due");
        Button add = new Button("Add action", click -> act(day, () -> gameDays.addAction(user, day.name(), text.getValue(),
                owner.getValue(), due.getValue()), "Added"));
        add.setId("add-action");
        list.add(new HorizontalLayout(text, owner, due, add));
        return list;
    }

    private void act(GameDayView day, Runnable action, String done) {
        actions.attempt(action, done);
        refresh();
        gameDays.find(day.name()).ifPresent(fresh -> {
            grid.select(fresh);
            showDetails(fresh);
        });
    }
}
