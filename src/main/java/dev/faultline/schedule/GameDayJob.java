package dev.faultline.schedule;

import jakarta.inject.Inject;

import org.quartz.Job;
import org.quartz.JobExecutionContext;

/** A game day's start time, on whichever instance Quartz's cluster gave it to. */
public class GameDayJob implements Job {

    /** The Quartz group of game days' start jobs, one job per game day, named after it. */
    static final String GROUP = "game-days";

    @Inject
    GameDayService gameDays;

    @Override
    public void execute(JobExecutionContext context) {
        gameDays.fire(context.getJobDetail().getKey().getName(), context.getScheduledFireTime().toInstant());
    }
}
