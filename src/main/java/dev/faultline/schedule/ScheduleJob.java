package dev.faultline.schedule;

import jakarta.inject.Inject;

import org.quartz.Job;
import org.quartz.JobExecutionContext;

/** One fire of a schedule, on whichever instance Quartz's cluster gave it to. */
public class ScheduleJob implements Job {

    /** The Quartz group of schedules' jobs, one job per schedule, named after it. */
    static final String GROUP = "schedules";

    @Inject
    ScheduleService schedules;

    @Override
    public void execute(JobExecutionContext context) {
        schedules.fire(context.getJobDetail().getKey().getName(), context.getScheduledFireTime().toInstant());
    }
}
