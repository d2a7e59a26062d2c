package dev.faultline.schedule;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Set;
import java.util.TimeZone;

import jakarta.enterprise.context.ApplicationScoped;

import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ScheduleBuilder;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;

/**
 * The fires of schedules and game days: one Quartz job per name in its group, with one trigger, in
 * the clustered job store, so that one instance takes each fire. Quartz refusing is an
 * {@link IllegalStateException}.
 */
@ApplicationScoped
class FireTriggers {

    private final Scheduler quartz;
    private final Clock clock;

    FireTriggers(Scheduler quartz, Clock clock) {
        this.quartz = quartz;
        this.clock = clock;
    }

    /** Fires {@code job} at every time of {@code cron} in {@code zone}; a missed fire is not made up. Paused: none until resumed. */
    void onCron(String group, String name, Class<? extends Job> job, String description, CronExpression cron, ZoneId zone,
            boolean paused) {
        JobKey key = schedule(group, name, job, description, null,
                CronScheduleBuilder.cronSchedule(cron).inTimeZone(TimeZone.getTimeZone(zone)).withMisfireHandlingInstructionDoNothing());
        if (paused) {
            quartz(() -> quartz.pauseJob(key));
        }
    }

    /** Fires {@code job} once at {@code at}, now when that has passed; a missed fire comes as soon as an instance can take it. */
    void once(String group, String name, Class<? extends Job> job, String description, Instant at) {
        Instant now = clock.instant();
        schedule(group, name, job, description, at.isBefore(now) ? now : at,
                SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow());
    }

    /** Removes the job and its trigger. */
    void remove(String group, String name) {
        quartz(() -> quartz.deleteJob(JobKey.jobKey(name, group)));
    }

    boolean exists(String group, String name) {
        try {
            return quartz.checkExists(TriggerKey.triggerKey(name, group));
        } catch (SchedulerException e) {
            throw refused(e);
        }
    }

    /** Replaces the job of {@code name} and its trigger, which starts at {@code start} (null: now). */
    private JobKey schedule(String group, String name, Class<? extends Job> job, String description, Instant start,
            ScheduleBuilder<? extends Trigger> fires) {
        JobDetail detail = JobBuilder.newJob(job).withIdentity(name, group).withDescription(description).build();
        TriggerBuilder<Trigger> trigger = TriggerBuilder.newTrigger().withIdentity(name, group).forJob(detail);
        if (start != null) {
            trigger.startAt(Date.from(start));
        }
        Trigger built = trigger.withSchedule(fires).build();
        quartz(() -> quartz.scheduleJob(detail, Set.of(built), true));
        return detail.getKey();
    }

    private interface QuartzCall {
        void run() throws SchedulerException;
    }

    private static void quartz(QuartzCall call) {
        try {
            call.run();
        } catch (SchedulerException e) {
            throw refused(e);
        }
    }

    private static IllegalStateException refused(SchedulerException e) {
        return new IllegalStateException("Quartz refused: " + e.getMessage(), e);
    }
}
