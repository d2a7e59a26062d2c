# Faultline: build with the Maven wrapper, run on a JRE as an unprivileged user.
#   docker build -t faultline .
#   docker run -p 8080:8080 -v faultline-data:/var/lib/faultline faultline
# With no database configured, Faultline starts its embedded PostgreSQL under /var/lib/faultline;
# set QUARKUS_DATASOURCE_JDBC_URL (+ _USERNAME, _PASSWORD) to use an external server.
#
# Both stages run the same JDK 25 image: the package step trains the JDK's AOT cache (app.aot, see
# README "Start-up and memory"), which only the JDK build that made it uses, with the same lib/modules
# (a JRE image has other modules, and would ignore it). Pin TEMURIN to a full tag (say 25.0.3_9) for
# builds that repeat; were the two stages to differ, the JVM would warn and start without the cache.
ARG TEMURIN=25

FROM eclipse-temurin:${TEMURIN}-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
# The frontend builds from the committed lock (npm ci, vaadin.ci.build), not from what npm resolves today.
COPY package.json package-lock.json tsconfig.json types.d.ts vite.config.ts ./
COPY migrations migrations
COPY src/main src/main
# the training run that writes target/quarkus-app/app.aot (the aot-cache profile of pom.xml)
COPY src/build src/build
RUN ./mvnw -B -q package -DskipTests

FROM eclipse-temurin:${TEMURIN}-jdk
RUN groupadd --system --gid 10001 faultline \
 && useradd --system --uid 10001 --gid faultline --home-dir /var/lib/faultline --create-home faultline
WORKDIR /opt/faultline
COPY --from=build --chown=root:root /build/target/quarkus-app/ ./
USER 10001:10001
ENV FAULTLINE_DATA_DIR=/var/lib/faultline
VOLUME /var/lib/faultline
EXPOSE 8080
# Run from /opt/faultline: the AOT cache holds the class path relative to it, as it was at training.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC", "-Xms16m", "-XX:AOTCache=app.aot", "-jar", "quarkus-run.jar"]
